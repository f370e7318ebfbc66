import { fetchUrlTool } from './fetchUrl';
import { getProblemsTool } from './getProblems';
import { listFilesTool } from './listFiles';
import { readFileTool } from './readFile';
import { readOutputTool } from './readOutput';
import { replaceInFileTool } from './replaceInFile';
import { runCommandTool } from './runCommand';
import { searchTextTool } from './searchText';
import type { ToolDefinition } from './toolTypes';
import { writeFileTool } from './writeFile';

export interface BuiltinToolOptions {
  /** fetch_url: hosts the person allowed although they resolve to private or local addresses. */
  fetchAllowedHosts: () => readonly string[];
}

/** Every built-in tool, in the order the model is shown them. */
export function builtinTools(options: BuiltinToolOptions): ToolDefinition[] {
  // Each tool has an argument type of its own (methods are bivariant, so they widen to ToolDefinition); the loop
  // validates arguments against the tool's schema before `plan`, which is what makes that widening safe.
  return [
    readFileTool,
    listFilesTool,
    searchTextTool,
    getProblemsTool,
    replaceInFileTool,
    writeFileTool,
    runCommandTool,
    readOutputTool,
    fetchUrlTool({ allowedHosts: options.fetchAllowedHosts }),
  ];
}
