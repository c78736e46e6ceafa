// The run-settings form fields both tracks use: a whole number (optionally empty = "all") and a checkbox.
import type { ReactNode } from 'react';

interface NumberProps {
  label: string;
  value: number | null;
  min: number;
  /** Empty is allowed and means "all" (onChange gets null). */
  optional?: boolean;
  testId?: string;
  onChange(v: number | null): void;
}

export function NumberField({ label, value, min, optional = false, testId, onChange }: NumberProps) {
  return (
    <label>
      <span className="label">{label}</span>
      <input type="number" min={min} step={1} value={value ?? ''} placeholder={optional ? 'all' : undefined} data-testid={testId}
        onChange={(e) => {
          const v = e.target.valueAsNumber;
          if (optional && e.target.value === '') onChange(null);
          else if (Number.isInteger(v) && v >= min) onChange(v);
        }} />
    </label>
  );
}

export function CheckField({ label, checked, testId, onChange }: { label: ReactNode; checked: boolean; testId?: string; onChange(v: boolean): void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      {label}
    </label>
  );
}
