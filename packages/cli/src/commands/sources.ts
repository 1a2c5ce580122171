import { PalisadeError } from '@palisade/core';
import { type ByteSource, openFileSource, openStreamSource, type resolveInputs } from '@palisade/engine';

type Input = Awaited<ReturnType<typeof resolveInputs>>[number];

/** Opens resolved inputs as byte sources; an unreadable file is `PAL_ERR_INPUT_UNREADABLE`. */
export async function openSources(inputs: readonly Input[]): Promise<Array<{ input: Input; source: ByteSource }>> {
  const sources: Array<{ input: Input; source: ByteSource }> = [];
  for (const input of inputs) {
    if (input.kind === 'stdin') sources.push({ input, source: openStreamSource('stdin', process.stdin) });
    else {
      try {
        sources.push({ input, source: await openFileSource(input.path) });
      } catch (error) {
        throw new PalisadeError(
          'PAL_ERR_INPUT_UNREADABLE',
          `cannot read ${input.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
    }
  }
  return sources;
}
