/**
 * Copying text, with feedback the user can see and a screen reader hears. `navigator.clipboard` works in VS Code
 * webviews; when it is refused (no focus, no permission), the old `execCommand('copy')` on a hidden textarea is
 * tried, and only if both fail does the button say so.
 */

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return copyWithSelection(text);
  }
}

function copyWithSelection(text: string): boolean {
  const active = document.activeElement;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  if (active instanceof HTMLElement) {
    active.focus();
  }
  return ok;
}

const resetTimers = new WeakMap<Element, number>();

/** Shows "Copied" (or the failure) in `status` for a moment; repeated clicks restart the timer. */
export function flashStatus(status: Element, message: string): void {
  status.textContent = message;
  window.clearTimeout(resetTimers.get(status));
  resetTimers.set(status, window.setTimeout(() => (status.textContent = ''), 2000));
}
