// The record of who read or exported which child's history, and when. Every read of a history, of
// its verification and every SSDA903 export writes one row before anything is returned; the table
// (history_reads) is append-only.
import { type ChildRead, ReadAudit } from '@placements/service-kit';

export type ReadAction =
  | 'history.read'
  | 'history.verify'
  | 'export.ssda903.episodes'
  | 'export.ssda903.header';

export interface HistoryRead extends ChildRead {
  action: ReadAction;
}

export const historyReads = new ReadAudit('history_reads');

/** Records a read before its answer goes out (group-committed with reads arriving meanwhile). */
export async function recordRead(
  pool: Parameters<ReadAudit['recordRead']>[0],
  read: HistoryRead,
): Promise<void> {
  await historyReads.recordRead(pool, read);
}
