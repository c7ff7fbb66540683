// RTSP simulators: a real GStreamer RTSP server with Digest auth and switchable picture faults
// (server.ts + rtsp_server.py), and a scripted peer for protocol faults GStreamer cannot show (fake.ts).
export { startRtspServer, answersRtsp, RTSP_MODES } from './server.ts';
export type { RtspServerHandle, RtspServerOptions, RtspSimMode } from './server.ts';
export { startFakeRtspServer } from './fake.ts';
export type { FakeRtspBehaviour, FakeRtspServer } from './fake.ts';
export { writeScenes, DEFAULT_WIDTH, DEFAULT_HEIGHT } from './images.ts';
export type { SceneSize } from './images.ts';
export { childProcesses, isAlive } from './procs.ts';
export type { ProcInfo } from './procs.ts';
export { startTlsProxy } from './tls-proxy.ts';
export type { TlsProxy } from './tls-proxy.ts';
