// What the studio reports about itself: versions, where its data lives, and which inference
// providers and training engines it found (with the reason for each choice).
export interface ProviderReport {
  /** what will be used */
  chosen: string;
  /** what it runs on, when that says more than the name (a GPU adapter: "NVIDIA H200", "lavapipe … — software adapter") */
  device?: string;
  /** everything that was considered, and whether it can be used */
  candidates: { name: string; available: boolean; detail: string }[];
  /** why `chosen` was picked, in one sentence */
  reason: string;
}

export interface SystemInfo {
  appName: string;
  appVersion: string;
  door: 'electron' | 'web';
  versions: Record<string, string>;
  platform: string;
  arch: string;
  dataFolder: string;
  schemaVersion: number;
  inference: ProviderReport;
  training: ProviderReport;
}

export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SystemHealth {
  ok: boolean;
  checks: HealthCheck[];
}

/** What the first screen offers: the bundled demo model and dataset, and whether this is a new studio. */
export interface WelcomeState {
  /** no datasets, chats or runs yet */
  firstStart: boolean;
  demoModelId?: string;
  demoDataAvailable: boolean;
  /** the demo dataset, once added */
  demoDatasetId?: number;
}
