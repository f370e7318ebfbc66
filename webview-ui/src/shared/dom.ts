/**
 * A tiny element builder. Text always goes through `textContent`, never `innerHTML`, so nothing the host sends
 * (paths, error messages, later model output) can become markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes?: Record<string, string>,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attributes?: Record<string, string>, ...children: (Node | string)[]): HTMLElement;
export function h(tag: string, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}
