#!/bin/sh
# nanoVLM Studio's packed GPU check (see README.txt): unpack into a temporary folder, point the
# Vulkan loader at what the machine has, run the check, remove the folder.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nanovlm-gpu-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
gzip -dc "$HERE/node.gz" > "$WORK/node"
chmod +x "$WORK/node"
"$WORK/node" "$HERE/unpack.mjs" "$HERE" "$WORK"
# the packed Vulkan loader, then the machine's own libraries (NVIDIA's driver folder where it is mounted apart)
LIBS="$WORK/lib"
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && LIBS="$LIBS:$d"; done
export LD_LIBRARY_PATH="$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# a Vulkan driver manifest outside the loader's search path (NVIDIA's, on some GPU machines)
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && ! ls /etc/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json >/dev/null 2>&1; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then export VK_DRIVER_FILES="$f"; break; fi
  done
fi
status=0
"$WORK/node" "$WORK/check/check-gpu.mjs" --fixtures "$WORK/fixtures" "$@" || status=$?
exit $status
