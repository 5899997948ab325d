// Time ranges of the picker and the bucket each one is drawn with (a few dozen to a few hundred points).

export const RANGES = {
  '15m': {ms: 15 * 60e3, bucket: '1m'},
  '1h': {ms: 3600e3, bucket: '1m'},
  '6h': {ms: 6 * 3600e3, bucket: '1m'},
  '24h': {ms: 24 * 3600e3, bucket: '1h'},
  '7d': {ms: 7 * 86400e3, bucket: '1h'},
  '30d': {ms: 30 * 86400e3, bucket: '1d'},
};
export const DEFAULT_RANGE = '24h';
export const REFRESHES = {off: 0, '10s': 10e3, '30s': 30e3, '1m': 60e3};
export const DEFAULT_REFRESH = 'off';

/** {from, to, bucket} of a range name, ending now; from/to as ISO instants for the API. */
export function rangeWindow(range) {
  const r = RANGES[range] || RANGES[DEFAULT_RANGE];
  const to = new Date();
  const from = new Date(to.getTime() - r.ms);
  return {from: from.toISOString(), to: to.toISOString(), bucket: r.bucket};
}
