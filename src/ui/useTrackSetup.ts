// The settings the charts and panels describe: the run's own when the last run was of the track on screen, else
// what a run would use now (each track's setupNow, registered in ./tracks.ts).
import { useLab } from '../store/lab.ts';
import { setupNow, type TrackSetup } from './tracks.ts';

export type { TrackSetup };

export const useTrackSetup = (): TrackSetup => useLab(setupNow);
