// Run time: ticking while the run goes, fixed once it ended.
import { useEffect, useState } from 'react';

export function Elapsed({ from, seconds }: { from: number; seconds: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (seconds !== null) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [seconds]);
  const s = seconds ?? Math.max(0, (now - from) / 1000);
  const text = s < 60 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return <span className="muted"> · {text}</span>;
}
