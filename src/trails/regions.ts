import { findRegion, type Region } from '../partitions.js';
import type { StoredTrail } from './trail-store.js';

/** True when a trail records in (and is visible from) the region: its home, or any region of its partition when it is multi-region. */
export function visibleIn(trail: StoredTrail, region: Region): boolean {
  if (trail.homeRegion === region.name) return true;
  return (
    trail.settings.isMultiRegionTrail &&
    findRegion(trail.homeRegion)?.partition === region.partition
  );
}

/** The regions a trail records: its home, or every region of its partition. */
export function recordedRegions(trail: StoredTrail, all: readonly Region[]): Region[] {
  return all.filter((region) => visibleIn(trail, region));
}
