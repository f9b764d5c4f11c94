/**
 * Runs a frozen TensorFlow graph in the TF.js graph-model format (`model.json` + weight shards) with
 * tfjs-core ops, without tfjs-converter. Only the ops Universal Sentence Encoder lite uses are
 * implemented; loading a graph with any other op fails at once, naming it. Nodes run in topological
 * order (the converter writes them so), each kept until the output is computed.
 */
import * as tf from '@tensorflow/tfjs-core';

interface AttributeValue {
  i?: string;
  b?: boolean;
  s?: number[] | string;
  type?: number;
  list?: { i?: string[] };
}

export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttributeValue>;
}

export interface GraphModelJson {
  modelTopology: { node: GraphNode[] };
  weightsManifest: Array<{
    paths: string[];
    weights: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32' }>;
  }>;
}

type Inputs = tf.Tensor[];
type Op = (inputs: Inputs, node: GraphNode) => tf.Tensor | tf.Tensor[] | Promise<tf.Tensor>;

function integer(node: GraphNode, name: string, fallback = 0): number {
  const value = node.attr?.[name]?.i;
  return value === undefined ? fallback : Number(value);
}

function flag(node: GraphNode, name: string): boolean {
  return node.attr?.[name]?.b ?? false;
}

function integers(node: GraphNode, name: string): number[] {
  return (node.attr?.[name]?.list?.i ?? []).map(Number);
}

function text(node: GraphNode, name: string): string {
  const value = node.attr?.[name]?.s;
  if (value === undefined) return '';
  return typeof value === 'string'
    ? Buffer.from(value, 'base64').toString()
    : String.fromCharCode(...value);
}

/** TensorFlow's DataType enum, as far as tfjs has the type (int64 runs as int32). */
function dataType(code: number | undefined): 'float32' | 'int32' | 'bool' {
  if (code === 1) return 'float32';
  if (code === 3 || code === 9) return 'int32';
  if (code === 10) return 'bool';
  throw new Error(`tensorflow-graph: unsupported dtype ${code}`);
}

const values = (tensor: tf.Tensor) => [...tensor.dataSync()] as number[];
const scalar = (tensor: tf.Tensor) => tensor.dataSync()[0]!;

const OPS: Record<string, Op> = {
  Add: ([a, b]) => tf.add(a!, b!),
  BiasAdd: ([a, b]) => tf.add(a!, b!),
  Sub: ([a, b]) => tf.sub(a!, b!),
  Mul: ([a, b]) => tf.mul(a!, b!),
  RealDiv: ([a, b]) => tf.div(a!, b!),
  Maximum: ([a, b]) => tf.maximum(a!, b!),
  Less: ([a, b]) => tf.less(a!, b!),
  Greater: ([a, b]) => tf.greater(a!, b!),
  LogicalNot: ([a]) => tf.logicalNot(a!),
  Square: ([a]) => tf.square(a!),
  Rsqrt: ([a]) => tf.rsqrt(a!),
  Sin: ([a]) => tf.sin(a!),
  Cos: ([a]) => tf.cos(a!),
  Tanh: ([a]) => tf.tanh(a!),
  Relu: ([a]) => tf.relu(a!),
  Softmax: ([a]) => tf.softmax(a!),
  Cast: ([a], node) => tf.cast(a!, dataType(node.attr?.['DstT']?.type)),
  Shape: ([a]) => tf.tensor1d(a!.shape, 'int32'),
  Reshape: ([a, shape]) => tf.reshape(a!, values(shape!)),
  ExpandDims: ([a, axis]) => tf.expandDims(a!, scalar(axis!)),
  Squeeze: ([a], node) => tf.squeeze(a!, integers(node, 'squeeze_dims')),
  Transpose: ([a, perm]) => tf.transpose(a!, values(perm!)),
  Slice: ([a, begin, size]) => tf.slice(a!, values(begin!), values(size!)),
  StridedSlice: ([a, begin, end, strides], node) =>
    tf.stridedSlice(
      a!,
      values(begin!),
      values(end!),
      values(strides!),
      integer(node, 'begin_mask'),
      integer(node, 'end_mask'),
      integer(node, 'ellipsis_mask'),
      integer(node, 'new_axis_mask'),
      integer(node, 'shrink_axis_mask'),
    ),
  ConcatV2: (inputs) => tf.concat(inputs.slice(0, -1), scalar(inputs.at(-1)!)),
  Pack: (inputs, node) => tf.stack(inputs, integer(node, 'axis')),
  SplitV: ([a, sizes, axis]) => tf.split(a!, values(sizes!), scalar(axis!)),
  GatherV2: ([a, indices, axis], node) =>
    tf.gather(a!, indices!, scalar(axis!), integer(node, 'batch_dims')),
  GatherNd: ([a, indices]) => tf.gatherND(a!, indices!),
  ScatterNd: ([indices, updates, shape]) => tf.scatterND(indices!, updates!, values(shape!)),
  SparseToDense: ([indices, shape, sparse, fallback]) =>
    tf.sparseToDense(indices!, sparse!, values(shape!), fallback as tf.Scalar),
  Where: ([condition]) => tf.whereAsync(condition!),
  Range: ([start, limit, delta]) =>
    tf.range(scalar(start!), scalar(limit!), scalar(delta!), 'int32'),
  Sum: ([a, axis], node) => tf.sum(a!, values(axis!), flag(node, 'keep_dims')),
  Mean: ([a, axis], node) => tf.mean(a!, values(axis!), flag(node, 'keep_dims')),
  Max: ([a, axis], node) => tf.max(a!, values(axis!), flag(node, 'keep_dims')),
  Prod: ([a, axis], node) => tf.prod(a!, values(axis!), flag(node, 'keep_dims')),
  MatMul: ([a, b], node) => tf.matMul(a!, b!, flag(node, 'transpose_a'), flag(node, 'transpose_b')),
  BatchMatMul: ([a, b], node) => tf.matMul(a!, b!, flag(node, 'adj_x'), flag(node, 'adj_y')),
  Conv2D: ([a, filter], node) => {
    if (text(node, 'data_format') !== 'NHWC') throw new Error('Conv2D: only NHWC is supported');
    const [, strideHeight, strideWidth] = integers(node, 'strides');
    const [, dilationHeight, dilationWidth] = integers(node, 'dilations');
    return tf.conv2d(
      a as tf.Tensor4D,
      filter as tf.Tensor4D,
      [strideHeight ?? 1, strideWidth ?? 1],
      text(node, 'padding') === 'SAME' ? 'same' : 'valid',
      'NHWC',
      [dilationHeight ?? 1, dilationWidth ?? 1],
    );
  },
};

export interface TensorflowGraph {
  /** Feeds `inputs` by placeholder name and returns the tensor of node `output` (the caller disposes it). */
  execute(inputs: Record<string, tf.Tensor>, output: string): Promise<tf.Tensor>;
  dispose(): void;
}

/** Splits `name:1` into the node name and its output index. */
function reference(input: string): [string, number] {
  const at = input.lastIndexOf(':');
  return at < 0 ? [input, 0] : [input.slice(0, at), Number(input.slice(at + 1))];
}

/** Builds the graph from its JSON and its weight shards: every group's paths, in manifest order. */
export function loadTensorflowGraph(model: GraphModelJson, shards: Uint8Array[]): TensorflowGraph {
  const nodes = model.modelTopology.node;
  const unsupported = [...new Set(nodes.map((node) => node.op))].filter(
    (op) => op !== 'Const' && op !== 'Placeholder' && !(op in OPS),
  );
  if (unsupported.length > 0)
    throw new Error(`tensorflow-graph: unsupported ops ${unsupported.join(', ')}`);

  const weights = new Map<string, tf.Tensor>();
  let shard = 0;
  for (const manifest of model.weightsManifest) {
    const bytes = Buffer.concat(manifest.paths.map(() => shards[shard++]!));
    let offset = 0;
    for (const spec of manifest.weights) {
      const count = spec.shape.reduce((product, dimension) => product * dimension, 1);
      const slice = bytes.buffer.slice(
        bytes.byteOffset + offset,
        bytes.byteOffset + offset + count * 4,
      );
      const data = spec.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice);
      weights.set(spec.name, tf.tensor(data, spec.shape, spec.dtype));
      offset += count * 4;
    }
  }
  const missing = nodes.filter((node) => node.op === 'Const' && !weights.has(node.name));
  if (missing.length > 0)
    throw new Error(
      `tensorflow-graph: no weights for ${missing.map((node) => node.name).join(', ')}`,
    );

  return {
    async execute(inputs, output) {
      const computed = new Map<string, tf.Tensor[]>();
      try {
        for (const node of nodes) {
          if (node.op === 'Const') continue;
          if (node.op === 'Placeholder') {
            const fed = inputs[node.name];
            if (!fed) throw new Error(`tensorflow-graph: no input for ${node.name}`);
            computed.set(node.name, [fed]);
            continue;
          }
          const args = (node.input ?? [])
            .filter((input) => !input.startsWith('^'))
            .map((input) => {
              const [name, index] = reference(input);
              const tensor = weights.get(name) ?? computed.get(name)?.[index];
              if (!tensor)
                throw new Error(`tensorflow-graph: ${node.name} reads ${input} before it exists`);
              return tensor;
            });
          const result = await OPS[node.op]!(args, node);
          computed.set(node.name, Array.isArray(result) ? result : [result]);
          if (node.name === output) {
            const tensor = Array.isArray(result) ? result[0]! : result;
            computed.delete(node.name);
            return tensor;
          }
        }
        throw new Error(`tensorflow-graph: no node ${output}`);
      } finally {
        for (const [name, tensors] of computed)
          for (const tensor of tensors) if (inputs[name] !== tensor) tensor.dispose();
      }
    },
    dispose() {
      for (const tensor of weights.values()) tensor.dispose();
    },
  };
}
