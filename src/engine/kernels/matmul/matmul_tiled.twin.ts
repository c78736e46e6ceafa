// Twin of matmul_tiled (matmul_tiled.ts): the same maths as matmul_forward, so the same plain loop (matmul.twin.ts);
// the tests check the tiled kernel against it on shapes that cut tiles at every edge.
export { matmul_twin as matmul_tiled_twin } from './matmul.twin.ts';
