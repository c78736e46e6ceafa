// The one error the lab shows (the error panel): what the lab was doing, and the error as it crossed the worker.
import type { StateCreator } from 'zustand';
import { toWire, type WireError } from '../../protocol/api.ts';

export interface LabError extends WireError {
  /** What the lab was doing: "Loading the model", "Run", … */
  context: string;
}

export interface ErrorSlice {
  error: LabError | null;
  /** Shows `e` as the error of `context`. */
  fail(context: string, e: unknown): void;
  dismissError(): void;
}

export const labError = (context: string, e: unknown): LabError => ({ context, ...toWire(e) });

export const errorSlice: StateCreator<ErrorSlice, [], [], ErrorSlice> = (set) => ({
  error: null,
  fail: (context, e) => set({ error: labError(context, e) }),
  dismissError: () => set({ error: null }),
});
