// "Try it": a prompt → generate box under the model picker, to see the loaded model answer before running SEAL.
// Greedy decoding; shows the text, the prefill and decode rates separately (a long prompt's forward is not
// decoding), and the engine's warnings (e.g. a plain prompt without BOS). A form: Enter in the prompt generates.
import { useState, type FormEvent } from 'react';
import { useLab } from '../../store/lab.ts';
import { formatTokenRate } from '../../store/model_source.ts';
import type { GenerateResult } from '../../protocol/api.ts';

export function TryIt() {
  const client = useLab((s) => s.client);
  const ready = useLab((s) => s.model.status === 'ready' && !!s.model.info);
  const hasTokenizer = useLab((s) => !!s.model.info?.hasTokenizer);
  const running = useLab((s) => s.run.status === 'running');
  const fail = useLab((s) => s.fail);
  const [prompt, setPrompt] = useState('');
  const [maxNewTokens, setMaxNewTokens] = useState(32);
  const [chat, setChat] = useState(false);
  const [busy, setBusy] = useState(false);
  const [streamed, setStreamed] = useState(0);
  const [result, setResult] = useState<GenerateResult | null>(null);
  if (!ready) return null;
  const disabled = busy || running || !client || !hasTokenizer;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (disabled || !prompt.trim()) return;
    setBusy(true);
    setStreamed(0);
    setResult(null);
    try {
      const r = await client.call('generate', { prompt, maxNewTokens, temperature: 0, topP: 1, seed: 0, chat, adapter: false },
        (ev) => ev.type === 'tokens' && setStreamed(ev.tokens.length));
      setResult(r);
    } catch (err) {
      fail('Generating', err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="try-it" data-testid="try-it">
      <summary>Try it</summary>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          <span className="label">Prompt</span>
          <input type="text" value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="Hello" spellCheck={false} autoComplete="off" data-testid="try-prompt" />
          {!hasTokenizer && <span className="hint">This model folder has no tokenizer.json.</span>}
        </label>
        <label>
          <span className="label">New tokens</span>
          <input type="number" min={1} max={512} value={maxNewTokens} onChange={(e) => setMaxNewTokens(Math.max(1, Math.min(512, Number(e.target.value) || 1)))} data-testid="try-max-tokens" />
        </label>
        <label className="check">
          <input type="checkbox" checked={chat} onChange={(e) => setChat(e.target.checked)} data-testid="try-chat" />
          <span>Chat template</span>
        </label>
        <button type="submit" disabled={disabled || !prompt.trim()} data-testid="try-generate">{busy ? `Generating… ${streamed}` : 'Generate (greedy)'}</button>
      </form>
      <div role="status" aria-live="polite">
        {result && (
          <>
            <pre className="wrap" data-testid="try-output">{result.text ?? result.tokens.join(',')}</pre>
            <dl className="mini-facts small">
              <dt>Prefill</dt><dd data-testid="try-prefill">{formatTokenRate(result.prefill)}</dd>
              <dt>Decode</dt><dd data-testid="try-decode">{formatTokenRate(result.decode)}</dd>
            </dl>
            {result.warnings.length > 0 && <ul className="warnings small">{result.warnings.map((w) => <li key={w} data-testid="try-warning">{w}</li>)}</ul>}
          </>
        )}
      </div>
    </details>
  );
}
