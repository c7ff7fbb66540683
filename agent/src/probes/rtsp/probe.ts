// RTSP probe (issue 3 §2): OPTIONS + DESCRIBE with Digest auth over a raw socket tells whether the camera's
// stream exists and the credentials work (metric rtspMs); then one frame through ffmpeg (metric frameMs)
// proves media really flows and feeds the image checks. A fresh connection and process per poll.
import type { AgentDevice } from '../../config/types.ts';
import type { Probe, ProbeContext, ProbeResult } from '../types.ts';
import { describeStream } from './describe.ts';
import { RtspError } from './errors.ts';
import { grabFrame } from './frame.ts';
import { rtspTarget, RtspTargetError, type RtspTarget } from './target.ts';

export { describeStream } from './describe.ts';
export type { DescribeResult } from './describe.ts';
export { RtspError } from './errors.ts';
export type { RtspErrorCode } from './errors.ts';
export { grabFrame } from './frame.ts';
export type { FrameOptions, GrabbedFrame } from './frame.ts';
export { rtspTarget } from './target.ts';
export type { RtspTarget } from './target.ts';

/**
 * Kept back from the probe's budget for the frame grab, so a slow frame ends as `frame-failed` from here
 * rather than as the scheduler's generic timeout (which would drop the DESCRIBE result).
 */
const FRAME_RESERVE_MS = 150;

export const rtspProbe: Probe = {
  appliesTo: (device: AgentDevice) =>
    device.rtsp !== undefined && ((typeof device.address === 'string' && device.address !== '') || Boolean(device.rtsp.url)),
  run: runRtspProbe,
};

async function runRtspProbe(ctx: ProbeContext): Promise<ProbeResult> {
  const deadline = Date.now() + ctx.timeoutMs;
  let target: RtspTarget;
  try {
    target = rtspTarget(ctx.device);
  } catch (err) {
    const message = err instanceof RtspTargetError ? err.message : `device ${ctx.device.id}: invalid rtsp settings`;
    return failed(new RtspError('rtsp-config', message), {});
  }
  const metrics: Record<string, number> = {};
  try {
    const { rtspMs } = await describeStream(target, deadline, ctx.signal);
    metrics.rtspMs = rtspMs;
  } catch (err) {
    return failed(classify(err, target), metrics);
  }
  if (ctx.device.rtsp?.grabFrame === false) return { reachable: true, conditions: [], metrics };
  const budget = deadline - Date.now() - FRAME_RESERVE_MS;
  if (budget <= 0) return failed(new RtspError('frame-failed', `${target.label}: no time left to grab a frame`), metrics);
  try {
    const { jpeg, frameMs } = await grabFrame(target, { timeoutMs: budget, signal: ctx.signal });
    metrics.frameMs = frameMs;
    return { reachable: true, conditions: [], metrics, frame: jpeg };
  } catch (err) {
    return failed(classify(err, target), metrics);
  }
}

function classify(err: unknown, target: RtspTarget): RtspError {
  // Anything unexpected is reported by its kind only: its text could quote a URL.
  return err instanceof RtspError ? err : new RtspError('rtsp-bad-response', `${target.label}: unexpected RTSP failure`);
}

function failed(err: RtspError, metrics: Record<string, number>): ProbeResult {
  const result: ProbeResult = {
    reachable: err.reachable,
    conditions: err.condition ? [err.condition] : [],
    error: { code: err.code, message: err.message },
  };
  if (Object.keys(metrics).length > 0) result.metrics = metrics;
  return result;
}
