// Twin of matmul_gemv (matmul_gemv.ts): the same maths as matmul_forward with transB and M ≤ 8 rows, so the same
// plain loop (matmul.twin.ts); the tests check the GEMV against it for every weight format and row count.
export { matmul_twin as matmul_gemv_twin } from './matmul.twin.ts';
