export { freePort, withFreePort, looksLikePortClash } from './ports.ts';
export {
  spawnLogged,
  startLogged,
  stopProcess,
  waitFor,
  tailLog,
  startError,
  requireBinary,
  removeDir,
  type LoggedProcess,
  type SpawnOptions,
  type WaitForOptions,
  type ServiceHandle,
} from './process.ts';
export { startMosquitto, type MosquittoOptions, type MosquittoHandle } from './mosquitto.ts';
export { startInflux, type InfluxOptions, type InfluxHandle } from './influxdb.ts';
export { startPostgres, createDatabase, postgresBinDir, type PostgresOptions, type PostgresHandle } from './postgres.ts';
