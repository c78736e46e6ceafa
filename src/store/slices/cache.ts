// The engine's download cache (OPFS): what it holds, and deleting from it.
import type { StateCreator } from 'zustand';
import type { CacheList } from '../../protocol/api.ts';
import type { LabState } from '../state.ts';

export interface CacheSlice {
  cache: { list: CacheList | null; busy: boolean; error: string | null };
  refreshCache(): Promise<void>;
  deleteCached(key: string | 'all'): Promise<void>;
}

export const cacheSlice: StateCreator<LabState, [], [], CacheSlice> = (set, get) => ({
  cache: { list: null, busy: false, error: null },

  async refreshCache() {
    const { client } = get();
    if (!client) return;
    set((s) => ({ cache: { ...s.cache, busy: true } }));
    try {
      const list = await client.call('cache-list', {});
      set({ cache: { list, busy: false, error: null } });
    } catch (e) {
      set((s) => ({ cache: { ...s.cache, busy: false, error: `${(e as Error).name}: ${(e as Error).message}` } }));
    }
  },

  async deleteCached(key) {
    const { client } = get();
    if (!client) return;
    try {
      await client.call('cache-delete', key === 'all' ? { all: true } : { key });
    } catch (e) {
      get().fail('Deleting from the model cache', e);
    }
    await get().refreshCache();
  },
});
