/* A program outside the tree that links the installed libgandyn: the Dirac-GAN field
 * at (1, 1) is (-f'(1), f'(1)) with f'(t) = 1/(1 + e^t). */
#include <gandyn.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
    gd_model *m = gd_model_create(gd_model_type_find("dirac"));
    double x[2] = {1, 1}, v[2];
    if (!m || gd_model_setup(m) != GD_OK || gd_model_field(m, x, v) != GD_OK) return 1;
    double want = 1 / (1 + exp(1.0));
    printf("field(1,1) = (%g, %g)\n", v[0], v[1]);
    gd_model_free(&m);
    return fabs(v[0] + want) < 1e-15 && fabs(v[1] - want) < 1e-15 ? 0 : 1;
}
