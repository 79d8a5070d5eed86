import { describe, expect, it } from 'vitest'
import { maskFields, maskPersonalData } from '../../ops/logging/mask.js'

describe('masking personal data and credentials in log lines', () => {
  it.each([
    ['a mobile number', '联系电话 13800001001，请回电', '联系电话 138****1001，请回电', '13800001001'],
    ['a mobile number with +86', 'mobile=+86 139 not this; +8613912345678', 'mobile=+86 139 not this; +86139****5678', '13912345678'],
    ['a resident ID number', '身份证 11010519491231002X 已核验', '身份证 110*************2X 已核验', '11010519491231002X'],
    ['a bank card', '收款卡号 6222021234567890123', '收款卡号 6222***********0123', '6222021234567890123'],
    ['a bank card written in groups', '账号 6222 0212 3456 7890', '账号 6222********7890', '6222 0212 3456 7890'],
    ['a bearer token', 'Authorization: Bearer t-g1044abcdefghijklmnopqrstuvwxyz', 'Authorization: [redacted]', 't-g1044abcdefghijklmnopqrstuvwxyz'],
    ['a token in a query string', 'GET /gettoken?appkey=x&access_token=abc123def456&x=1', 'GET /gettoken?appkey=x&access_token=[redacted]&x=1', 'abc123def456'],
    ['a secret in JSON', '{"app_secret":"s3cr3t-value","app_id":"cli_1"}', '{"app_secret":"[redacted]","app_id":"cli_1"}', 's3cr3t-value'],
    ['an OpenAI key', 'key sk-proj-abcdefghijklmnop1234 rejected', 'key sk-[redacted] rejected', 'sk-proj-abcdefghijklmnop1234'],
    ['a credential named in capitals', 'X-Lark-Signature: 9f86d081884c7d65 TOKEN=abc123', 'X-Lark-Signature: [redacted] TOKEN=[redacted]', '9f86d081884c7d65'],
    ['a mobile number in dashed groups', '回电 138-1234-5678 谢谢', '回电 138****5678 谢谢', '1234'],
    ['a mobile number in spaced groups', '手机：138 1234 5678。', '手机：138****5678。', '1234'],
    ['a mobile number in groups with +86', 'call +86 138 1234 5678 now', 'call +86 138****5678 now', '1234'],
    ['a mobile number with 0086', 'tel 0086-138-1234-5678', 'tel 0086-138****5678', '1234'],
    ['an e-mail address', 'matched lisi@demo.example.com by e-mail', 'matched l***@demo.example.com by e-mail', 'lisi@'],
  ])('masks %s', (_name, text, masked, secret) => {
    expect(maskPersonalData(text)).toBe(masked)
    expect(maskPersonalData(text)).not.toContain(secret)
  })

  it('leaves ids, request numbers, amounts and epoch timestamps alone', () => {
    const text = 'BX-202611-0007 ¥3,500.00 at 1764040000000 request 5f1d2c9e-8a7b-4c3d-9e8f-0a1b2c3d4e5f seq 12'
    expect(maskPersonalData(text)).toBe(text)
  })

  it('leaves numbers grouped unlike a mobile alone', () => {
    const text = 'order 1380 1234 5678, ids 12 345 6789 0123, at 1764040000000'
    expect(maskPersonalData(text)).toBe(text)
  })

  it('masks numbers under personal field names, not other numbers', () => {
    expect(maskFields({ mobile: 13812345678, user: { phone: 13912345678 }, count: 13812345678, at: 1764040000000 })).toEqual({
      mobile: '138****5678',
      user: { phone: '139****5678' },
      count: 13812345678,
      at: 1764040000000,
    })
  })

  it('drops secret-named fields and masks strings in nested ones', () => {
    expect(maskFields({ password: 'hunter2', user: { mobile: '13800001001', note: 'ok' }, count: 3, authorization: 'Bearer x' })).toEqual({
      password: '[redacted]',
      user: { mobile: '138****1001', note: 'ok' },
      count: 3,
      authorization: '[redacted]',
    })
  })
})
