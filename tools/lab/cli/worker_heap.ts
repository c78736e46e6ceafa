// The engine worker's JS heap, read through the Chrome DevTools Protocol (workers have no performance.memory): the
// browser's CDP session attaches to the worker target (named "seal-engine" by EngineClient.start), collects garbage
// and asks Runtime.getHeapUsage. Used by the soak test to see whether anything accumulates round after round.
import type { Browser, CDPSession } from 'playwright-core';

let cdp: CDPSession | null = null;
let nextId = 0;

export async function workerHeapBytes(browser: Browser): Promise<number | null> {
  cdp ??= await browser.newBrowserCDPSession();
  const session = cdp;
  const { targetInfos } = await session.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'worker' && t.title === 'seal-engine');
  if (!worker) return null;
  const { sessionId } = await session.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
  const ask = (method: string) => new Promise<Record<string, number>>((done) => {
    const id = ++nextId;
    const onMessage = (ev: { sessionId?: string; message: string }) => {
      if (ev.sessionId !== sessionId) return;
      const m = JSON.parse(ev.message) as { id?: number; result?: Record<string, number> };
      if (m.id !== id) return;
      session.off('Target.receivedMessageFromTarget', onMessage);
      done(m.result ?? {});
    };
    session.on('Target.receivedMessageFromTarget', onMessage);
    void session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
  });
  try {
    await ask('HeapProfiler.collectGarbage');
    return (await ask('Runtime.getHeapUsage')).usedSize ?? null;
  } finally {
    await session.send('Target.detachFromTarget', { sessionId }).catch(() => {});
  }
}
