export { build, type BuildOptions } from './app.ts';
export { configFromEnv, type ServerConfig } from './config.ts';
