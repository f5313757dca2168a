/** How the pool tells a waiting player where their placement is (the client's progress bar). */
import type { ProgressStage } from '@playgap/protocol';

/** Receives each progress stage with a human line. */
export type ProgressFn = (stage: ProgressStage, message: string) => void;
