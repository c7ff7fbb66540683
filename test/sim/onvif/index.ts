// ONVIF camera simulator for tests, benchmarks and the demo. See camera.ts for behaviour notes.
export { startOnvifCamera, DEFAULT_INFO } from './camera.ts';
export type { OnvifCameraHandle, OnvifCameraOptions, OnvifFault } from './camera.ts';
export { DEVICE_PATH, MEDIA_PATH } from './handlers.ts';
export type { OnvifDeviceInfo } from './handlers.ts';
