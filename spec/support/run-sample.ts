import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a compiled sample as its own process (so it cannot rot), with a generous time limit. */
export function runSample(name: string, args: string[] = [], timeoutMs = 60_000): Promise<SampleRun> {
  const file = fileURLToPath(new URL(`../../samples/${name}.js`, import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}
