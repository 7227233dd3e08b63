import assert from 'node:assert/strict';

/** Expects `promise` to fail with AWS error `code`; answers the error's message. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const error = err as { name?: string; message?: string };
    assert.equal(error.name, code, error.message);
    return error.message ?? '';
  }
  assert.fail(`expected ${code}`);
}
