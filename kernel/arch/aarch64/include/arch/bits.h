/* Constants usable from both C and assembly. */
#pragma once

#ifdef __ASSEMBLER__
#define UL(x) (x)
#else
#define UL(x) (x##ul)
#endif

#define BIT(n) (UL(1) << (n))
