// The part of @cycjimmy/jsmpeg-player (6.x, no bundled types) that lib/live.ts uses. The option names are
// JSMpeg's (https://github.com/phoboslab/jsmpeg#usage); the Player calls `new options.source(url, options)`.
declare module '@cycjimmy/jsmpeg-player' {
  /** Where a source writes the stream: the TS demuxer. */
  export interface JSMpegDestination {
    write(data: ArrayBuffer): void;
  }

  /** A data source (JSMpeg's Source API). */
  export interface JSMpegSource {
    connect(destination: JSMpegDestination): void;
    start(): void;
    resume(headroom: number): void;
    destroy(): void;
    readonly streaming: boolean;
    readonly established: boolean;
    readonly completed: boolean;
    readonly progress: number;
  }

  export interface JSMpegPlayerOptions {
    canvas?: HTMLCanvasElement;
    source?: new (url: string, options: JSMpegPlayerOptions) => JSMpegSource;
    audio?: boolean;
    video?: boolean;
    autoplay?: boolean;
    disableGl?: boolean;
    disableWebAssembly?: boolean;
    pauseWhenHidden?: boolean;
    decodeFirstFrame?: boolean;
    videoBufferSize?: number;
    onVideoDecode?: (decoder: unknown, elapsedMs: number) => void;
  }

  export class Player {
    constructor(url: string, options?: JSMpegPlayerOptions);
    readonly source: JSMpegSource;
    play(): void;
    pause(): void;
    destroy(): void;
  }

  const JSMpeg: { Player: typeof Player };
  export default JSMpeg;
}
