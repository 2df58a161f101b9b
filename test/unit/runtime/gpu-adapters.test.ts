// WebGPU adapter detection on Linux, over folders laid out like machines (a GPU cannot exist here):
// the Vulkan loader, driver manifests, DRM render nodes and NVIDIA's /proc entries.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectWebGpuAdapters, type SystemView } from '../../../src/main/runtime/gpu-adapters';
import { makeTempDir } from '../../helpers/temp-dir';

const roots: { remove(): void }[] = [];
afterEach(() => roots.splice(0).forEach((r) => r.remove()));

interface Machine {
  loader?: boolean;
  drivers?: Record<string, string>;
  render?: { module: string; vendor: string; device: string }[];
  nvidiaModel?: string;
}

function machine(spec: Machine, env: NodeJS.ProcessEnv = {}): SystemView {
  const dir = makeTempDir('gpu-adapters-');
  roots.push(dir);
  const root = dir.path;
  const put = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  if (spec.loader !== false) put('/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '');
  for (const [file, library] of Object.entries(spec.drivers ?? {})) {
    put(`/usr/share/vulkan/icd.d/${file}`, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }));
  }
  (spec.render ?? []).forEach((r, i) => {
    const device = join(root, `/sys/devices/pci0000:00/0000:00:0${i}.0`);
    put(`/sys/devices/pci0000:00/0000:00:0${i}.0/vendor`, `0x${r.vendor}\n`);
    put(`/sys/devices/pci0000:00/0000:00:0${i}.0/device`, `0x${r.device}\n`);
    mkdirSync(join(root, '/sys/bus/pci/drivers', r.module), { recursive: true });
    symlinkSync(join(root, '/sys/bus/pci/drivers', r.module), join(device, 'driver'));
    mkdirSync(join(root, `/sys/class/drm/renderD${128 + i}`), { recursive: true });
    symlinkSync(device, join(root, `/sys/class/drm/renderD${128 + i}/device`));
  });
  if (spec.nvidiaModel) put('/proc/driver/nvidia/gpus/0000:01:00.0/information', `Model: \t\t ${spec.nvidiaModel}\nIRQ: 42\n`);
  return { platform: 'linux', arch: 'x64', env: { HOME: '/root', ...env }, root, nvidiaSmiName: () => undefined };
}

const LAVAPIPE = { 'lvp_icd.json': 'libvulkan_lvp.so' };

describe('detectWebGpuAdapters on Linux', () => {
  it('finds nothing without the Vulkan loader, and says which package brings it', () => {
    const found = detectWebGpuAdapters(machine({ loader: false, drivers: LAVAPIPE }));
    expect(found.adapters).toEqual([]);
    expect(found.notes.join()).toMatch(/libvulkan\.so\.1.*libvulkan1/);
  });

  it('lists lavapipe as a software adapter and says it is used only when asked', () => {
    const found = detectWebGpuAdapters(machine({ drivers: { ...LAVAPIPE, 'radeon_icd.json': 'libvulkan_radeon.so' } }));
    expect(found.adapters).toEqual([{ name: expect.stringMatching(/lavapipe/), software: true, vulkanDriverFile: '/usr/share/vulkan/icd.d/lvp_icd.json' }]);
    expect(found.notes.join('\n')).toMatch(/no GPU device for the installed Vulkan drivers \(radeon_icd\.json\)/);
    expect(found.notes.join('\n')).toMatch(/only when asked/);
  });

  it('matches a hardware driver to its render node and puts it before the software one', () => {
    const found = detectWebGpuAdapters(
      machine({
        drivers: { ...LAVAPIPE, 'radeon_icd.json': 'libvulkan_radeon.so', 'intel_icd.json': 'libvulkan_intel.so' },
        render: [{ module: 'amdgpu', vendor: '1002', device: '73bf' }],
      }),
    );
    expect(found.adapters.map((a) => [a.name, a.software])).toEqual([
      ['AMD (RADV) GPU [1002:73bf]', false],
      [expect.stringMatching(/lavapipe/), true],
    ]);
    expect(found.adapters[0]!.vulkanDriverFile).toBe('/usr/share/vulkan/icd.d/radeon_icd.json');
    expect(found.notes).toEqual([]);
  });

  it("names an NVIDIA GPU from its driver's /proc entry", () => {
    const found = detectWebGpuAdapters(machine({ drivers: { 'nvidia_icd.json': 'libGLX_nvidia.so.0' }, nvidiaModel: 'NVIDIA H200' }));
    expect(found.adapters).toEqual([{ name: 'NVIDIA H200', software: false, vulkanDriverFile: '/usr/share/vulkan/icd.d/nvidia_icd.json' }]);
  });

  it('reads only the manifests VK_DRIVER_FILES names, as the loader does', () => {
    const view = machine(
      { drivers: { ...LAVAPIPE, 'nvidia_icd.json': 'libGLX_nvidia.so.0' }, nvidiaModel: 'NVIDIA L4' },
      { VK_DRIVER_FILES: '/usr/share/vulkan/icd.d/lvp_icd.json' },
    );
    expect(detectWebGpuAdapters(view).adapters.map((a) => a.software)).toEqual([true]);
  });

  it('finds no adapter when no driver manifest is installed', () => {
    const found = detectWebGpuAdapters(machine({}));
    expect(found.adapters).toEqual([]);
    expect(found.notes.join()).toMatch(/no Vulkan driver manifests/);
  });
});

describe('detectWebGpuAdapters elsewhere', () => {
  it('takes the Metal GPU on macOS and asks for --provider on Windows', () => {
    const view = (platform: NodeJS.Platform): SystemView => ({ platform, arch: 'arm64', env: {}, root: '' });
    expect(detectWebGpuAdapters(view('darwin')).adapters[0]).toMatchObject({ software: false });
    expect(detectWebGpuAdapters(view('win32'))).toMatchObject({ adapters: [], notes: [expect.stringMatching(/--provider webgpu/)] });
  });
});
