// No-op activities for the bare-server baseline.
export async function load(): Promise<void> {}
export async function gate(): Promise<void> {}
export async function prepare(): Promise<void> {}
export async function call(): Promise<void> {}
export async function record(): Promise<void> {}
export async function finish(): Promise<void> {}
