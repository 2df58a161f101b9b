// Which GPU adapters ONNX Runtime's WebGPU provider (Dawn) can use here, found without starting
// Dawn: on Linux, the Vulkan loader library and the Vulkan drivers its manifests name, each matched
// to a device that exists (a DRM render node with the driver's kernel module, or NVIDIA's driver);
// on macOS, the Metal GPU. Software devices (Mesa's lavapipe, SwiftShader) are listed as such: they
// run on the CPU and are used only when asked for. Whether Dawn accepts an adapter (Mesa 22 is
// refused) is known only when a session starts; onnx-session.ts reports that.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';

export interface GpuAdapter {
  /** what a person reads: the device and its driver */
  name: string;
  /** runs on the CPU (lavapipe, SwiftShader) */
  software: boolean;
  /** Linux: the Vulkan driver manifest that exposes it; the loader is pointed at it alone */
  vulkanDriverFile?: string;
}

export interface WebGpuAdapters {
  /** usable adapters, hardware first */
  adapters: GpuAdapter[];
  /** why none (or only software ones) are usable: one line per thing missing or passed over */
  notes: string[];
}

/** Where to look; tests point it at a folder laid out like a machine. */
export interface SystemView {
  platform: NodeJS.Platform;
  arch: string;
  env: NodeJS.ProcessEnv;
  /** prefixed to every absolute path read (default '') */
  root: string;
  /** the NVIDIA GPU's name from nvidia-smi, when /proc does not say */
  nvidiaSmiName?: () => string | undefined;
}

export function thisSystem(): SystemView {
  return { platform: process.platform, arch: process.arch, env: process.env, root: '', nvidiaSmiName };
}

export function detectWebGpuAdapters(system: SystemView = thisSystem()): WebGpuAdapters {
  if (system.platform === 'darwin') return { adapters: [{ name: 'Metal GPU (macOS)', software: false }], notes: [] };
  if (system.platform === 'win32') {
    return { adapters: [], notes: ['adapter detection on Windows is not implemented: force the Direct3D 12 adapter with --provider webgpu'] };
  }
  if (system.platform !== 'linux') return { adapters: [], notes: [`WebGPU adapters are not looked for on ${system.platform}`] };
  return linuxAdapters(system);
}

// ---- Linux: the Vulkan loader, driver manifests, devices ----

interface VulkanDriver {
  manifest: string;
  library: string;
}

/** Vulkan drivers by library name: software ones, and the kernel modules a hardware one drives. */
const DRIVER_KINDS: { pattern: RegExp; label: string; software?: true; kernelModules?: string[]; nvidia?: true }[] = [
  { pattern: /lvp/, label: "lavapipe (Mesa's software Vulkan device)", software: true },
  { pattern: /swiftshader/i, label: 'SwiftShader (software Vulkan device)', software: true },
  { pattern: /nvidia/i, label: 'NVIDIA', nvidia: true },
  { pattern: /radeon/, label: 'AMD (RADV)', kernelModules: ['amdgpu', 'radeon'] },
  { pattern: /intel_hasvk/, label: 'Intel (HasVK)', kernelModules: ['i915'] },
  { pattern: /intel/, label: 'Intel (ANV)', kernelModules: ['i915', 'xe'] },
  { pattern: /nouveau/, label: 'NVIDIA (NVK)', kernelModules: ['nouveau'] },
  { pattern: /asahi/, label: 'Apple (Asahi)', kernelModules: ['asahi'] },
  { pattern: /freedreno/, label: 'Qualcomm Adreno (Turnip)', kernelModules: ['msm'] },
  { pattern: /panfrost/, label: 'Arm Mali (PanVK)', kernelModules: ['panfrost', 'panthor'] },
  { pattern: /broadcom/, label: 'Broadcom (V3DV)', kernelModules: ['v3d'] },
  { pattern: /virtio/, label: 'virtio-gpu (Venus)', kernelModules: ['virtio_gpu', 'virtio-gpu'] },
  { pattern: /gfxstream/, label: 'gfxstream (virtual GPU)', kernelModules: ['virtio_gpu', 'virtio-gpu'] },
];

function linuxAdapters(system: SystemView): WebGpuAdapters {
  const notes: string[] = [];
  if (!vulkanLoaderPresent(system)) {
    return { adapters: [], notes: ['no Vulkan loader (libvulkan.so.1; Debian: apt-get install libvulkan1)'] };
  }
  const drivers = vulkanDrivers(system);
  if (drivers.length === 0) return { adapters: [], notes: ['no Vulkan driver manifests (…/vulkan/icd.d/*.json): no GPU driver with Vulkan is installed'] };
  const devices = drmDevices(system);
  const hardware: GpuAdapter[] = [];
  const software: GpuAdapter[] = [];
  const unmatched: string[] = [];
  for (const driver of drivers) {
    const kind = DRIVER_KINDS.find((k) => k.pattern.test(basename(driver.library)));
    if (!kind) {
      unmatched.push(`${basename(driver.manifest)} (unknown driver ${basename(driver.library)})`);
      continue;
    }
    if (kind.software) {
      software.push({ name: kind.label, software: true, vulkanDriverFile: driver.manifest });
      continue;
    }
    const name = kind.nvidia ? nvidiaAdapterName(system) : drmAdapterName(devices, kind.kernelModules ?? [], kind.label);
    if (name) hardware.push({ name, software: false, vulkanDriverFile: driver.manifest });
    else unmatched.push(basename(driver.manifest));
  }
  if (hardware.length === 0) {
    notes.push(unmatched.length ? `no GPU device for the installed Vulkan drivers (${unmatched.join(', ')})` : 'no hardware Vulkan driver is installed');
    if (software.length) notes.push(`software adapter present: ${software.map((s) => s.name).join(', ')} (used only when asked: --provider webgpu)`);
  }
  return { adapters: [...hardware, ...software], notes };
}

function at(system: SystemView, path: string): string {
  return system.root ? join(system.root, path) : path;
}

/** The loader Dawn opens by name: in LD_LIBRARY_PATH or the system's library folders. */
function vulkanLoaderPresent(system: SystemView): boolean {
  const multiarch = system.arch === 'arm64' ? 'aarch64-linux-gnu' : system.arch === 'x64' ? 'x86_64-linux-gnu' : `${system.arch}-linux-gnu`;
  const fromEnv = (system.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const dirs = [
    ...fromEnv.map((d) => (system.root ? join(system.root, d) : d)),
    ...[`/usr/lib/${multiarch}`, `/lib/${multiarch}`, '/usr/lib64', '/usr/lib', '/lib64', '/usr/local/lib'].map((d) => at(system, d)),
  ];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/** The manifests the Vulkan loader reads, in its order (VK_DRIVER_FILES / VK_ICD_FILENAMES first). */
function vulkanDrivers(system: SystemView): VulkanDriver[] {
  const env = system.env;
  const explicit = env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES;
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local/share');
  const entries = explicit
    ? explicit.split(':')
    : [...(env.XDG_CONFIG_DIRS || '/etc/xdg').split(':'), '/etc', dataHome, ...(env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':')].map((d) =>
        join(d, 'vulkan', 'icd.d'),
      );
  const manifests = [...new Set(entries.filter(Boolean))].flatMap((entry) => (entry.endsWith('.json') ? [entry] : jsonFiles(system, entry)));
  const drivers: VulkanDriver[] = [];
  for (const manifest of manifests) {
    try {
      const json = JSON.parse(readFileSync(at(system, manifest), 'utf8')) as { ICD?: { library_path?: string } };
      if (json.ICD?.library_path) drivers.push({ manifest, library: json.ICD.library_path });
    } catch {
      // an unreadable manifest is skipped, as the loader does
    }
  }
  return drivers;
}

function jsonFiles(system: SystemView, dir: string): string[] {
  try {
    return readdirSync(at(system, dir))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

interface DrmDevice {
  module: string;
  vendor: string;
  device: string;
}

/** Render nodes with their kernel module and PCI ids (/sys/class/drm/renderD*). */
function drmDevices(system: SystemView): DrmDevice[] {
  const dir = at(system, '/sys/class/drm');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('renderD'));
  } catch {
    return [];
  }
  return names.map((n) => {
    const device = join(dir, n, 'device');
    const read = (file: string) => {
      try {
        return readFileSync(join(device, file), 'utf8').trim().replace(/^0x/, '');
      } catch {
        return '';
      }
    };
    let module = '';
    try {
      module = basename(readlinkSync(join(device, 'driver')));
    } catch {
      // no driver bound
    }
    return { module, vendor: read('vendor'), device: read('device') };
  });
}

function drmAdapterName(devices: DrmDevice[], modules: string[], label: string): string | undefined {
  const found = devices.find((d) => modules.includes(d.module));
  if (!found) return undefined;
  return `${label} GPU${found.vendor ? ` [${found.vendor}:${found.device}]` : ''}`;
}

/** NVIDIA's driver says the model in /proc; nvidia-smi as a second source. */
function nvidiaAdapterName(system: SystemView): string | undefined {
  const gpus = at(system, '/proc/driver/nvidia/gpus');
  try {
    for (const bus of readdirSync(gpus)) {
      const info = readFileSync(join(gpus, bus, 'information'), 'utf8');
      const model = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim();
      if (model) return model.startsWith('NVIDIA') ? model : `NVIDIA ${model}`;
    }
  } catch {
    // not an NVIDIA machine, or /proc hidden (containers)
  }
  if (!existsSync(at(system, '/dev/nvidiactl'))) return undefined;
  return system.nvidiaSmiName?.() ?? 'NVIDIA GPU';
}

/** The first NVIDIA GPU's name from nvidia-smi, or undefined when it does not answer. */
export function nvidiaSmiName(): string | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}
