/**
 * Sends panel problems to the host log, at most a few a minute: a flood of malformed events must become a few
 * log lines, not a flood of posts back to the host.
 */
export function rateLimited(send: (message: string) => void, perMinute = 10): (message: string) => void {
  let windowStart = 0;
  let sent = 0;
  return (message) => {
    const now = Date.now();
    if (now - windowStart > 60_000) {
      windowStart = now;
      sent = 0;
    }
    if (sent < perMinute) {
      sent++;
      send(message);
    }
  };
}
