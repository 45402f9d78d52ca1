// Identifiers: time-ordered UUIDs (v7), so ids sort roughly by creation and index well.
import { v7 } from 'uuid';

export const newId = (): string => v7();
