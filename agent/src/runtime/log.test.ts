// The agent's logger redacts every line, also when a logger is injected (issue 8 §3).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redactedLog } from './log.ts';

afterEach(() => vi.restoreAllMocks());

describe('redactedLog', () => {
  it('masks credentials before the line reaches stdout or an injected sink', () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    redactedLog()('frame grab failed: ffmpeg -i rtsp://admin:Zq7kLeak9@10.0.0.5/live');
    expect(spy).toHaveBeenCalledWith('camfleet-agent: frame grab failed: ffmpeg -i rtsp://admin:***@10.0.0.5/live');
    const lines: string[] = [];
    redactedLog((m) => lines.push(m))('onvif answered 401 to {"password":"Zq7kLeak9"}');
    expect(lines).toEqual(['onvif answered 401 to {"password":"***"}']);
  });
});
