import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3Store, s3SettingsFrom, signS3Request } from '../../receipts/s3-store.js'
import { loadConfig } from '../../server/config.js'
import { Attachments } from '../../workflow/receipts/attachments/attachments.js'
import { freshDatabase } from '../helpers/databases.js'
import { FakeS3 } from '../fakes/s3/fake-s3.js'
import { DINNER, einvoiceXml, PHOTO } from './invoice-fixtures.js'

const KEYS = { accessKeyId: 'AKIDRECEIPTS0001', secretAccessKey: 'receipts-secret/0123456789abcdef' }

describe('S3-compatible attachment store', () => {
  let s3: FakeS3
  beforeAll(async () => {
    s3 = await FakeS3.start({ bucket: 'receipts', region: 'us-east-1', ...KEYS })
  })
  afterAll(async () => {
    await s3.close()
  })

  it('signs as AWS documents it (the GetObject example of Signature Version 4)', async () => {
    const headers = await signS3Request({
      method: 'GET',
      url: 'https://examplebucket.s3.amazonaws.com/test.txt',
      headers: { range: 'bytes=0-9' },
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      now: new Date('2013-05-24T00:00:00Z'),
    })
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    )
  })

  it('stores and reads objects; a missing key is null; bad credentials and a stale clock are refused', async () => {
    const store = new S3Store({ endpoint: s3.url, bucket: 'receipts', region: 'us-east-1', ...KEYS })
    await store.put('202611/0b7c-photo', PHOTO, 'image/png')
    expect(s3.objects.get('202611/0b7c-photo')).toMatchObject({ contentType: 'image/png' })
    expect(await store.get('202611/0b7c-photo')).toEqual(PHOTO)
    expect(await store.get('202611/nothing')).toBeNull()
    await expect(new S3Store({ endpoint: s3.url, bucket: 'receipts', region: 'us-east-1', ...KEYS, secretAccessKey: 'wrong' }).put('202611/x', PHOTO, 'image/png')).rejects.toThrow('SignatureDoesNotMatch')
    await expect(new S3Store({ endpoint: s3.url, bucket: 'receipts', region: 'us-east-1', ...KEYS }, () => Date.now() - 3_600_000).get('202611/0b7c-photo')).rejects.toThrow('RequestTimeTooSkewed')
    await expect(new S3Store({ endpoint: s3.url, bucket: 'other', region: 'us-east-1', ...KEYS }).get('202611/0b7c-photo')).rejects.toThrow('NoSuchBucket')
  })

  it('backs the attachments of the bot', async () => {
    const database = await freshDatabase('sqlite')
    try {
      const attachments = new Attachments(database.db, new S3Store({ endpoint: s3.url, bucket: 'receipts', region: 'us-east-1', ...KEYS }), undefined)
      const stored = await attachments.receive('zhangsan', 'dev', { name: 'dinner.xml', mimeType: 'application/xml', bytes: new TextEncoder().encode(einvoiceXml(DINNER)) })
      expect(stored.invoice?.number).toBe(DINNER.number)
      expect(new TextDecoder().decode((await attachments.content(stored.id))!)).toContain('<EInvoice>')
      expect([...s3.objects.keys()].some((k) => k.endsWith(stored.id))).toBe(true)
    } finally {
      await database.close()
    }
  })

  it('is configured by S3_* variables, all four or none', () => {
    expect(() => loadConfig({ S3_ENDPOINT: 'https://account.r2.cloudflarestorage.com', S3_BUCKET: 'receipts' })).toThrow('缺少 S3_ACCESS_KEY_ID、S3_SECRET_ACCESS_KEY')
    expect(s3SettingsFrom(loadConfig({}))).toBeUndefined()
    const config = loadConfig({ S3_ENDPOINT: 'https://account.r2.cloudflarestorage.com', S3_BUCKET: 'receipts', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' })
    expect(s3SettingsFrom(config)).toEqual({ endpoint: 'https://account.r2.cloudflarestorage.com', bucket: 'receipts', region: 'us-east-1', accessKeyId: 'id', secretAccessKey: 'secret' })
  })
})
