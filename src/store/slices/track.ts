// Which track the lab shows and runs. Switching while another track's embedded model is loaded loads this
// track's embedded model; a model the user picked (Hub, folder, URL) stays.
import type { StateCreator } from 'zustand';
import { embeddedModelUrl, initialTrack, isEmbedded } from '../model_url.ts';
import type { TrackName } from '../../seal/tracks.ts';
import type { LabState } from '../state.ts';

export interface TrackSlice {
  track: TrackName;
  /** Switches the lab to a track (and to its embedded model when another track's embedded model is loaded). */
  setTrack(t: TrackName): Promise<void>;
}

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
