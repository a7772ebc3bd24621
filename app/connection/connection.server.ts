// Filled in by the connect-wizard work: revoke the TikTok token, stop sync and sending.
export async function disconnectOnUninstall(_shop: string): Promise<void> {}
