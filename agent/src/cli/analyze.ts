// `camfleet-agent analyze --reference REF.jpg FRAME.jpg [--night]` — compares one frame with a reference frame
// of the same camera (CONTRACTS §2).
//
//   exit 0  one JSON object on stdout: { blur, fog, black, frozen, nightBlur, judged, unfit, metrics: {…} }
//   exit 2  a file is missing, unreadable, not an image or truncated: one line on stderr naming the file;
//           or bad usage: what is wrong and the usage line
//
// Both pictures are measured at the same width (the analysis width, or the smaller picture's width), so a
// reference and a frame of different sizes still compare.
import { readFile } from 'node:fs/promises';
import { analyzeAgainstReference } from '../image/compare.ts';
import { ANALYSIS_WIDTH, ImageDecodeError, probeImage } from '../image/decode.ts';
import { frameMetrics, type FrameMetrics } from '../image/metrics.ts';

export const ANALYZE_USAGE = 'usage: camfleet-agent analyze --reference REF.jpg FRAME.jpg [--night]';

interface Args {
  reference: string;
  frame: string;
  night: boolean;
}

/** Parses the arguments (options and the frame in any order); a string is a usage problem. */
export function parseAnalyzeArgs(args: string[]): Args | 'help' | string {
  let reference: string | undefined;
  let night = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--night') night = true;
    else if (a === '--reference' || a === '-r') {
      const value = args[++i];
      if (value === undefined || value === '') return `${a} needs a file`;
      if (reference !== undefined) return '--reference given twice';
      reference = value;
    } else if (a.startsWith('--reference=')) {
      if (reference !== undefined) return '--reference given twice';
      reference = a.slice('--reference='.length);
      if (reference === '') return '--reference needs a file';
    } else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    else positional.push(a);
  }
  if (reference === undefined) return 'missing --reference REF.jpg';
  if (positional.length === 0) return 'missing FRAME.jpg';
  if (positional.length > 1) return `one frame at a time (got ${positional.length}: ${positional.join(' ')})`;
  return { reference, frame: positional[0]!, night };
}

/** A file that cannot be used: the message is the whole line, naming the file as given. */
class FileProblem extends Error {}

async function load(file: string): Promise<{ file: string; data: Buffer; width: number }> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new FileProblem(`${file}: cannot read: ${why}`);
  }
  try {
    return { file, data, width: (await probeImage(data)).width };
  } catch (e) {
    throw new FileProblem(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function measure(file: string, data: Buffer, width: number): Promise<FrameMetrics> {
  try {
    return await frameMetrics(data, { width });
  } catch (e) {
    if (e instanceof ImageDecodeError) throw new FileProblem(`${file}: ${e.message}`);
    throw e;
  }
}

export async function analyzeCommand(args: string[]): Promise<number> {
  const parsed = parseAnalyzeArgs(args);
  if (parsed === 'help') {
    out(`${ANALYZE_USAGE}\nCompares FRAME with REF (same camera); --night: FRAME was taken with IR on.\n` +
      'Prints one JSON object { blur, fog, black, …, metrics }; exit 2 on an unusable file or bad usage.');
    return 0;
  }
  if (typeof parsed === 'string') {
    err(`camfleet-agent analyze: ${parsed}\n${ANALYZE_USAGE}`);
    return 2;
  }
  try {
    const ref = await load(parsed.reference);
    const frame = await load(parsed.frame);
    const width = Math.min(ANALYSIS_WIDTH, ref.width, frame.width);
    const refMetrics = await measure(ref.file, ref.data, width);
    const frameM = await measure(frame.file, frame.data, width);
    const result = analyzeAgainstReference(frameM, refMetrics, { night: parsed.night });
    const { blur, fog, black, frozen, nightBlur, judged, unfit, metrics } = result;
    const body = { blur, fog, black, frozen, nightBlur, judged, unfit, night: parsed.night, metrics: { ...metrics, analysisWidth: frameM.width } };
    out(JSON.stringify(body));
    return 0;
  } catch (e) {
    if (e instanceof FileProblem) {
      err(e.message.replace(/\s+/g, ' '));
      return 2;
    }
    throw e;
  }
}

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const err = (text: string): void => void process.stderr.write(`${text}\n`);
