// The engine's Web Worker: all model work runs here, off the UI thread.
import { serveEngine } from '../src/protocol/serve.ts';

serveEngine(self as unknown as Parameters<typeof serveEngine>[0], navigator.gpu);
