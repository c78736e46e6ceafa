// Which track the lab shows and runs. Switching while another track's embedded model is loaded loads this
// track's embedded model; a model the user picked (Hub, folder, URL) stays.
import type { StateCreator } from 'zustand';
import { embeddedModelUrl, initialTrack, isEmbedded } from '../model_url.ts';
import type { LabState, TrackSlice } from '../state.ts';

export const trackSlice: StateCreator<LabState, [], [], TrackSlice> = (set, get) => ({
  track: initialTrack(),

  async setTrack(t) {
    const s = get();
    if (s.track === t || s.run.status === 'running') return;
    set({ track: t, selectedRollout: null, selectedItem: null });
    const { model } = s;
    const url = embeddedModelUrl(t);
    if (model.source.kind === 'url' && isEmbedded(model.source.url) && model.source.url !== url) await get().loadModel(url);
  },
});
