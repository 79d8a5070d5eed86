import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local OpenAI-compatible server: POST /v1/chat/completions answered in the real wire format
 * (tool calls included), so the production client is exercised over HTTP. Each test decides how
 * the "model" behaves: a good tool call, garbage, a schema violation, an HTTP error, or slowness.
 */

export type FakeModelReply =
  /** The function arguments exactly as the model would write them: JSON or not. */
  | { toolArguments: string }
  /** A plain text answer with no tool call, as models that ignore tool_choice give. */
  | { content: string }
  /** An HTTP error in OpenAI's error format. */
  | { status: number; message?: string }

/** The body a chat completion request carries (only the fields the tests look at are typed). */
export interface ChatRequestBody {
  model: string
  messages: { role: string; content: string }[]
  tools?: { type: string; function: { name: string; description?: string; parameters: Record<string, unknown> } }[]
  tool_choice?: unknown
  [field: string]: unknown
}

export interface RecordedChatRequest {
  headers: IncomingHttpHeaders
  body: ChatRequestBody
}

export type FakeModelBehaviour = FakeModelReply | ((request: ChatRequestBody) => FakeModelReply)

export interface FakeOpenAi {
  /** What OPENAI_BASE_URL is set to. */
  baseURL: string
  requests: RecordedChatRequest[]
  /** How the model answers from now on. */
  behave(behaviour: FakeModelBehaviour): void
  /** Delay before every answer, in milliseconds. */
  delayMs: number
  close(): Promise<void>
}

/** A well-formed tool call carrying `args`. */
export function toolCall(args: unknown): FakeModelReply {
  return { toolArguments: JSON.stringify(args) }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(payload))
}

function completion(request: ChatRequestBody, reply: { toolArguments: string } | { content: string }, sequence: number) {
  const forced = (request.tool_choice as { function?: { name?: string } } | undefined)?.function?.name
  const name = forced ?? request.tools?.[0]?.function.name ?? 'unknown'
  const message =
    'toolArguments' in reply
      ? { role: 'assistant', content: null, tool_calls: [{ id: `call_${sequence}`, type: 'function', function: { name, arguments: reply.toolArguments } }] }
      : { role: 'assistant', content: reply.content }
  return {
    id: `chatcmpl-fake-${sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message, finish_reason: 'toolArguments' in reply ? 'tool_calls' : 'stop', logprobs: null }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  }
}

/** `apiKey`: when given, requests without `Authorization: Bearer <apiKey>` get a 401 as OpenAI sends it. */
export async function startFakeOpenAi(options: { apiKey?: string } = {}): Promise<FakeOpenAi> {
  const requests: RecordedChatRequest[] = []
  const pending = new Set<NodeJS.Timeout>()
  let behaviour: FakeModelBehaviour = { status: 500, message: 'the fake model was given no behaviour' }

  const fake = {
    baseURL: '',
    requests,
    delayMs: 0,
    behave(next: FakeModelBehaviour) {
      behaviour = next
    },
    close: async () => {
      for (const timer of pending) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  } satisfies FakeOpenAi

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req)
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } })
    const body = JSON.parse(raw) as ChatRequestBody
    requests.push({ headers: req.headers, body })
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`)
      return sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } })
    const sequence = requests.length
    const respond = () => {
      if (res.destroyed) return
      const reply = typeof behaviour === 'function' ? behaviour(body) : behaviour
      if ('status' in reply) return sendJson(res, reply.status, { error: { message: reply.message ?? 'The server had an error.', type: 'server_error' } })
      sendJson(res, 200, completion(body, reply, sequence))
    }
    if (fake.delayMs <= 0) return respond()
    const timer = setTimeout(() => {
      pending.delete(timer)
      respond()
    }, fake.delayMs)
    pending.add(timer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  return fake
}
