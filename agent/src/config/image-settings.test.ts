// The `image:` block of the site config (image checks, docs/image-health.md §5).
import { describe, expect, it } from 'vitest';
import { checkSiteConfig } from './check.ts';
import { formatProblem } from './problems.ts';

const BASE = ['site: {id: s1}', 'mqtt: {url: "mqtt://h"}', 'devices:', '  - {id: cam1, segment: camera, address: 10.0.0.2, rtsp: {}}'];
const check = (...extra: string[]) => checkSiteConfig([...BASE, ...extra].join('\n'), 'site.yaml');

describe('image settings', () => {
  it('are optional and kept as written (the runtime applies the defaults)', () => {
    expect(check().config?.image).toBeUndefined();
    const { config, problems } = check('image: {warmupFrames: 6, raiseAfter: 2, clearAfter: 4, thumbnailEveryS: 600, frozenGapS: 20}');
    expect(problems).toEqual([]);
    expect(config?.image).toEqual({ warmupFrames: 6, raiseAfter: 2, clearAfter: 4, thumbnailEveryS: 600, frozenGapS: 20 });
  });

  it('reports unknown keys and out-of-range values at their line', () => {
    const lines = check('image:', '  raiseAfter: 0', '  thumbnailEveryS: 5', '  warmupFrame: 3').problems.map(formatProblem);
    expect(lines).toEqual([
      expect.stringMatching(/^site\.yaml:6 image\.raiseAfter: .*1/),
      expect.stringMatching(/^site\.yaml:7 image\.thumbnailEveryS: .*10/),
      expect.stringMatching(/^site\.yaml:8 image\.warmupFrame: unknown field "warmupFrame" \(did you mean "warmupFrames"\?\)/),
    ]);
  });

  it('refuses a frozen gap the frame grabs can never reach', () => {
    const msg = (extra: string[]) => check(...extra).problems.map(formatProblem);
    expect(msg(['poll: {intervalS: 30}', 'image: {frozenGapS: 60}'])).toEqual([
      'site.yaml:6 image.frozenGapS: 60 is not shorter than the time between two frame grabs (rtsp every 30 s): frozen pictures would never be judged',
    ]);
    // rtsp every 45 s runs every second 30-s cycle: grabs 60 s apart.
    expect(msg(['poll: {intervalS: 30, probes: {rtsp: {intervalS: 45}}}', 'image: {frozenGapS: 59}'])).toEqual([]);
    expect(msg(['poll: {intervalS: 30, probes: {rtsp: {enabled: false}}}', 'image: {frozenGapS: 60}'])).toEqual([]);
  });
});
