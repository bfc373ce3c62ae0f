import { WorkflowNotFoundError, isGrpcServiceError, type Client } from '@temporalio/client';

// Removing a workflow's histories from Temporal (a contact's, when its personal data is
// deleted: docs/personalData.md). A running execution is terminated first, so nothing it does
// afterwards writes a new history; then every run of the id is deleted through the
// WorkflowService (DeleteWorkflowExecution), the runs found through visibility and the current
// run by id alone, since visibility may not list a run that has just closed.

/** gRPC's NOT_FOUND status code. */
const GRPC_NOT_FOUND = 5;

const notFound = (err: unknown): boolean =>
  err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND);

/** A visibility query's string literal. */
const literal = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Terminates the workflow if it runs, then deletes each of its runs. True when there was a
 * history to delete (false: none, or another deletion took it first). Safe to repeat.
 */
export async function deleteWorkflowHistories(client: Client, workflowId: string, reason: string): Promise<boolean> {
  const namespace = client.options.namespace;
  try {
    await client.workflow.getHandle(workflowId).terminate(reason);
  } catch (err) {
    // Closed already, or never started.
    if (!notFound(err)) throw err;
  }
  const runs = new Set<string>();
  for await (const w of client.workflow.list({ query: `WorkflowId = ${literal(workflowId)}` })) runs.add(w.runId);
  let deleted = false;
  const remove = async (runId?: string): Promise<void> => {
    try {
      await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, runId } });
      deleted = true;
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  };
  await remove();
  for (const runId of runs) await remove(runId);
  return deleted;
}
