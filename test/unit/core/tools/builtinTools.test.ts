import * as assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { builtinTools } from '../../../../src/core/tools/builtinTools';

describe('builtinTools', () => {
  const tools = builtinTools({ fetchAllowedHosts: () => [] });

  it('are the issue\'s nine tools, in their categories', () => {
    assert.deepEqual(
      tools.map((t) => [t.name, t.category]),
      [
        ['read_file', 'read'],
        ['list_files', 'read'],
        ['search_text', 'read'],
        ['get_problems', 'read'],
        ['replace_in_file', 'edit'],
        ['write_file', 'edit'],
        ['run_command', 'command'],
        ['read_output', 'read'],
        ['fetch_url', 'fetch'],
      ],
    );
  });

  it('each has a valid name, one line of description and a closed object schema that compiles', () => {
    const ajv = new Ajv({ strict: true });
    for (const tool of tools) {
      assert.match(tool.name, /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/);
      assert.ok(tool.description.length > 20 && tool.description.length < 250 && !tool.description.includes('\n'), tool.name);
      const schema = tool.parameters as { type: string; properties: Record<string, { description?: string }>; required: string[]; additionalProperties: boolean };
      assert.equal(schema.type, 'object');
      assert.equal(schema.additionalProperties, false, tool.name);
      for (const name of schema.required) {
        assert.ok(name in schema.properties, `${tool.name}.${name}`);
      }
      for (const [name, property] of Object.entries(schema.properties)) {
        assert.ok((property.description ?? '').length > 0, `${tool.name}.${name} has a description`);
      }
      const validate = ajv.compile(schema);
      assert.equal(validate({ unexpected: true }), false, `${tool.name} rejects unknown arguments`);
    }
  });
});
