// Acquires a GPUDevice for the engine from a `GPU` object (navigator.gpu in a browser or worker, or the
// `webgpu` npm package's GPU under Node). Requests the largest buffer limits the adapter allows and, when present,
// shader-f16, subgroups and timestamp-query (all optional: every kernel also runs without them).

export class NoWebGpuError extends Error {
  override name = 'NoWebGpuError';
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
  limits: Record<string, number>;
}

export async function requestEngineDevice(gpu: GPU | undefined): Promise<{ device: GPUDevice; info: AdapterInfo }> {
  if (!gpu) throw new NoWebGpuError('WebGPU is not available here (navigator.gpu is missing). Use Chrome 113+ or Edge.');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoWebGpuError('No WebGPU adapter found. Check chrome://gpu, or start Chrome with --enable-unsafe-webgpu.');
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('shader-f16')) requiredFeatures.push('shader-f16');
  // Subgroup operations (the decode GEMV's reduction, kernels/matmul/matmul_gemv.ts) where the adapter has them.
  if (adapter.features.has('subgroups' as GPUFeatureName)) requiredFeatures.push('subgroups' as GPUFeatureName);
  // GPU time per kernel for the benchmark's profiles (gpu/profiler.ts); nothing else uses it.
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    label: 'seal-engine',
    requiredFeatures,
    requiredLimits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 8),
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  const ai = adapter.info;
  const limits: Record<string, number> = {};
  for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension']) {
    limits[k] = (device.limits as unknown as Record<string, number>)[k];
  }
  return {
    device,
    info: {
      vendor: ai.vendor,
      architecture: ai.architecture,
      device: ai.device,
      description: ai.description,
      features: [...adapter.features].sort(),
      limits,
    },
  };
}
