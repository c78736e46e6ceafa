// vitest globalSetup of the gpu project: starts the local Hub (tests/setup/hub-server.ts) in Node and hands its
// URL to the browser tests through `provide` / `inject('hubUrl')`.
import type { TestProject } from 'vitest/node';
import { startHubServer } from './hub-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    hubUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hub = await startHubServer();
  project.provide('hubUrl', hub.url);
  return () => hub.close();
}
