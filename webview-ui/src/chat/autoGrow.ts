/**
 * Grows a textarea with its content up to a cap, then scrolls. Set through the CSSOM (`style.height`), which the
 * panel's CSP allows; a `style` attribute in markup would be refused.
 */
export function autoGrow(textarea: HTMLTextAreaElement, maxFraction = 0.4): void {
  textarea.style.height = 'auto';
  const max = Math.max(80, Math.floor(window.innerHeight * maxFraction));
  textarea.style.height = `${Math.min(textarea.scrollHeight + 2, max)}px`;
  textarea.style.overflowY = textarea.scrollHeight + 2 > max ? 'auto' : 'hidden';
}
