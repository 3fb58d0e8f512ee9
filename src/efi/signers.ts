import { X509Certificate } from 'node:crypto';

/**
 * Who signed a PE image: the certificates an Authenticode PKCS#7 SignedData
 * carries, and for each signer the name of the certificate authority that
 * issued it — the name a firmware's db (Microsoft UEFI CA 2011/2023) or
 * shim's vendor certificate (Debian Secure Boot CA) has to trust.
 */

export interface Signer {
  /** CN of the signing certificate, e.g. "Microsoft Windows UEFI Driver Publisher". */
  subject: string;
  /** CN of its issuer, e.g. "Microsoft Corporation UEFI CA 2011". */
  issuer: string;
}

interface Der {
  tag: number;
  /** The whole element, header included. */
  raw: Buffer;
  /** The contents only. */
  body: Buffer;
}

function readDer(buf: Buffer, offset: number): Der | undefined {
  if (offset + 2 > buf.length) return undefined;
  const tag = buf[offset];
  let length = buf[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || offset + 2 + bytes > buf.length) return undefined;
    length = buf.readUIntBE(offset + 2, bytes);
    header += bytes;
  }
  const end = offset + header + length;
  if (end > buf.length) return undefined;
  return { tag, raw: buf.subarray(offset, end), body: buf.subarray(offset + header, end) };
}

function children(element: Der): Der[] {
  const list: Der[] = [];
  for (let offset = 0; offset < element.body.length;) {
    const child = readDer(element.body, offset);
    if (!child) break;
    list.push(child);
    offset += child.raw.length;
  }
  return list;
}

/** The signers of one PKCS#7 ContentInfo (SignedData); empty when it cannot be read. */
export function signersOf(pkcs7: Buffer): Signer[] {
  const contentInfo = readDer(pkcs7, 0);
  const explicit = contentInfo && children(contentInfo)[1];
  const signedData = explicit && children(explicit)[0];
  if (!signedData) return [];
  const parts = children(signedData);
  const certificates = parts
    .filter((part) => part.tag === 0xa0)
    .flatMap(children)
    .map((der) => certificate(der.raw))
    .filter((cert): cert is X509Certificate => cert !== undefined);
  const signerInfos = parts.at(-1)?.tag === 0x31 ? children(parts.at(-1)!) : [];
  return signerInfos.flatMap((info) => {
    const serial = children(children(info)[1] ?? { tag: 0, raw: Buffer.alloc(0), body: Buffer.alloc(0) })[1];
    const serialHex = serial ? stripLeadingZeros(serial.body.toString('hex')) : '';
    const cert = certificates.find((c) => stripLeadingZeros(c.serialNumber.toLowerCase()) === serialHex);
    return cert ? [{ subject: commonName(cert.subject), issuer: commonName(cert.issuer) }] : [];
  });
}

function certificate(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

function stripLeadingZeros(hex: string): string {
  return hex.replace(/^(00)+(?=.)/, '');
}

/** Node prints a distinguished name one "KEY=value" per line. */
function commonName(name: string): string {
  return /^CN=(.*)$/m.exec(name)?.[1] ?? name.replace(/\n/g, ', ');
}
