/**
 * Writes a GGUF file (version 3): the header, typed key-value metadata, tensor descriptions and
 * tensor data, each tensor aligned to `general.alignment` (32 bytes). Enough of the format for the
 * test suite to build a small model that llama.cpp loads; F32 tensors only.
 */

/** A metadata value and the GGUF type it is written as. */
export type GgufValue =
  | { type: 'uint32'; value: number }
  | { type: 'int32'; value: number }
  | { type: 'float32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array-string'; value: string[] }
  | { type: 'array-float32'; value: number[] }
  | { type: 'array-int32'; value: number[] };

export interface GgufTensor {
  name: string;
  /** Dimensions in GGML order: the first is the one that varies fastest (a row's length). */
  shape: number[];
  data: Float32Array;
}

const ALIGNMENT = 32;
const TYPE = { uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9 } as const;
const GGML_TYPE_F32 = 0;

class ByteWriter {
  private chunks: Buffer[] = [];
  length = 0;

  push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }
  u32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    this.push(buffer);
  }
  i32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    this.push(buffer);
  }
  u64(value: number): void {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    this.push(buffer);
  }
  f32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value);
    this.push(buffer);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    if (padding > 0) this.push(Buffer.alloc(padding));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeValue(writer: ByteWriter, entry: GgufValue): void {
  switch (entry.type) {
    case 'uint32':
      writer.u32(TYPE.uint32);
      return writer.u32(entry.value);
    case 'int32':
      writer.u32(TYPE.int32);
      return writer.i32(entry.value);
    case 'float32':
      writer.u32(TYPE.float32);
      return writer.f32(entry.value);
    case 'bool':
      writer.u32(TYPE.bool);
      return writer.push(Buffer.from([entry.value ? 1 : 0]));
    case 'string':
      writer.u32(TYPE.string);
      return writer.string(entry.value);
    case 'array-string':
      writer.u32(TYPE.array);
      writer.u32(TYPE.string);
      writer.u64(entry.value.length);
      for (const item of entry.value) writer.string(item);
      return;
    case 'array-float32':
      writer.u32(TYPE.array);
      writer.u32(TYPE.float32);
      writer.u64(entry.value.length);
      for (const item of entry.value) writer.f32(item);
      return;
    case 'array-int32':
      writer.u32(TYPE.array);
      writer.u32(TYPE.int32);
      writer.u64(entry.value.length);
      for (const item of entry.value) writer.i32(item);
      return;
  }
}

/** The bytes of a GGUF v3 file holding `metadata` and `tensors`, in the order given. */
export function encodeGguf(metadata: Record<string, GgufValue>, tensors: GgufTensor[]): Buffer {
  const header = new ByteWriter();
  header.push(Buffer.from('GGUF', 'latin1'));
  header.u32(3);
  header.u64(tensors.length);
  header.u64(Object.keys(metadata).length);
  for (const [key, entry] of Object.entries(metadata)) {
    header.string(key);
    writeValue(header, entry);
  }
  let offset = 0;
  for (const tensor of tensors) {
    const elements = tensor.shape.reduce((product, size) => product * size, 1);
    if (elements !== tensor.data.length)
      throw new Error(`${tensor.name}: shape holds ${elements} values, data ${tensor.data.length}`);
    header.string(tensor.name);
    header.u32(tensor.shape.length);
    for (const size of tensor.shape) header.u64(size);
    header.u32(GGML_TYPE_F32);
    header.u64(offset);
    offset += Math.ceil(tensor.data.byteLength / ALIGNMENT) * ALIGNMENT;
  }
  header.padTo(ALIGNMENT);
  const body = new ByteWriter();
  for (const tensor of tensors) {
    body.push(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    body.padTo(ALIGNMENT);
  }
  return Buffer.concat([header.bytes(), body.bytes()]);
}
