import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { decodeGatewaySecret, hmacHexBase64, loginSign, signedPath } from '../../erp-bridge/adapters/kingdee/kingdee-auth.js'
import { KingdeeClient } from '../../erp-bridge/adapters/kingdee/kingdee-client.js'
import { AUDIT_REFUSED, DOC_TEMPLATE_FAILED, GATEWAY_API_NOT_FOUND, SAVE_SUCCEEDED } from '../fakes/kingdee/k3cloud-fixtures.js'
import { startFakeK3Cloud, type FakeK3Cloud } from '../fakes/kingdee/k3cloud-server.js'
import { rejection } from './erp-rejection.js'

/** K/3 Cloud's reply shapes as vendors and integrators recorded them, replayed through the fake site. */

let fake: FakeK3Cloud
let client: KingdeeClient

beforeAll(async () => {
  fake = await startFakeK3Cloud()
})
afterAll(() => fake.close())
beforeEach(() => {
  const { acctId, username, appId, appSecret } = fake.identity
  client = new KingdeeClient({ url: fake.url, acctId, username, authMode: 'appSecret', appId, appSecret, signHash: 'sha256', lcid: 2052, orgNumber: '0', timeoutMs: 1_000 })
})

describe('signing', () => {
  it('unmasks the AppID secret with the ASCII bytes of the key, not its hex decoding', () => {
    const raw = randomBytes(24)
    const asciiKey = Buffer.from('0054f397c6234378b09ca7d3e5debce7', 'utf8')
    const expected = Buffer.from(raw.map((b, i) => b ^ asciiKey[i]!)).toString('base64')
    expect(decodeGatewaySecret(raw.toString('base64'))).toBe(expected)
    // What the kingdee-nodejs port computes (16 hex-decoded key bytes; undefined past them XORs as 0).
    const hexKey = Buffer.from('0054f397c6234378b09ca7d3e5debce7', 'hex')
    const ported = Buffer.from(raw.map((b, i) => b ^ (hexKey[i] ?? 0))).toString('base64')
    expect(decodeGatewaySecret(raw.toString('base64'))).not.toBe(ported)
  })

  it('base64-encodes the lowercase hex HMAC, not the raw digest', () => {
    expect(Buffer.from(hmacHexBase64('POST\n', 'k'), 'base64').toString()).toMatch(/^[0-9a-f]{64}$/)
  })

  it('signs the path with / written as %2F', () => {
    expect(signedPath('https://erp.example.com/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc')).toBe(
      '%2Fk3cloud%2FKingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc',
    )
  })

  it('sorts the LoginBySign values ordinally before hashing', () => {
    const parts = { acctId: 'b', username: 'a', appId: 'C', appSecret: 'c', timestamp: 1 }
    // Ordinal order puts digits before capitals before small letters: "1" "C" "a" "b" "c".
    expect(loginSign(parts, 'sha256')).toBe(createHash('sha256').update('1Cabc').digest('hex'))
    expect(loginSign(parts, 'sha1')).toBe(createHash('sha1').update('1Cabc').digest('hex'))
  })
})

describe('the result envelope', () => {
  it('reads a successful Save from SuccessEntitys', async () => {
    fake.inject({ status: 200, body: SAVE_SUCCEEDED })
    expect(await client.save('ER_ExpReimbursement', { Model: {} })).toEqual({ id: '100029', number: 'FKSQ000004' })
  })

  it('passes on the ERP message of a refused Audit', async () => {
    fake.inject({ status: 200, body: AUDIT_REFUSED })
    const error = await rejection(client.operate('Audit', 'SAL_OUTSTOCK', ['1']))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toBe('金蝶拒绝了此单据：单据编号为“TK202504030001”的销售出库单，单据已经审核！（Kingdee rejected the document）')
    expect(error.detail).toMatch(/MsgCode 11/)
  })

  it('reads IsSuccess and MsgCode given as strings', async () => {
    fake.inject({ status: 200, body: DOC_TEMPLATE_FAILED })
    const error = await rejection(client.save('PUR_Requisition', { Model: {} }))
    expect(error.userMessage).toContain('物料编码不能为空')
    expect(error.detail).toMatch(/fields FMaterialId/)
  })

  it('unwraps an ExecuteBillQuery failure from its [[...]] wrapper', async () => {
    const error = await rejection(client.billQuery({ FormId: 'ER_ExpReimbursement', FieldKeys: 'FNoSuchField', FilterString: '' }))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toBe('金蝶接口参数有误，请检查对接配置中的表单和字段：元数据中标识为 FNoSuchField 的字段不存在（Kingdee rejected the form, field or filter）')
  })

  it('treats network control as passing', async () => {
    fake.inject({ status: 200, body: AUDIT_REFUSED.replace('单据已经审核！', '已被网络控制锁定，请稍后再试') })
    expect((await rejection(client.operate('Audit', 'PUR_Requisition', ['1']))).kind).toBe('transient')
  })

  it('explains a gateway 519', async () => {
    fake.inject({ status: 519, body: GATEWAY_API_NOT_FOUND })
    const error = await rejection(client.save('ER_ExpReimbursement', { Model: {} }))
    expect(error).toMatchObject({ kind: 'permanent', userMessage: expect.stringMatching(/^金蝶网关找不到该接口，请检查金蝶地址（请求的API不存在\[网关\]）/) })
  })

  it('treats a response_error: reply as a server error', async () => {
    fake.inject({ status: 200, body: 'response_error:Object reference not set to an instance of an object.', contentType: 'text/plain' })
    expect((await rejection(client.save('ER_ExpReimbursement', { Model: {} }))).userMessage).toMatch(/^金蝶服务端出错：Object reference/)
  })

  it('sends the named {formid, data} body the Python SDK sends', async () => {
    await client.operate('Submit', 'ER_ExpReimbursement', ['7', '8']).catch(() => undefined)
    expect(fake.calls.at(-1)!.body).toEqual({ formid: 'ER_ExpReimbursement', data: { Ids: '7,8' } })
  })
})
