/* A program outside the tree that links the installed libgandyn: the Dirac-GAN field
 * at (1, 1) is (-f'(1), f'(1)) with f'(t) = 1/(1 + e^t); and, through a model's own header
 * installed in include/gandyn/, the Gaussian-kernel MMD^2 between single points at distance 1
 * with sigma = 1, k(x,x) + k(y,y) - 2 k(x,y) = 2 - 2 e^{-1/2}. */
#include <gandyn.h>
#include <gandyn/particles.h>
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
    const double a[2] = {1, 0}, b[2] = {0, 0};
    double mmd2 = gd_particles_mmd2(2, 1, a, NULL, 1, b, NULL, 1.0);
    printf("mmd2 = %.10f\n", mmd2);
    return fabs(v[0] + want) < 1e-15 && fabs(v[1] - want) < 1e-15 && fabs(mmd2 - (2 - 2 * exp(-0.5))) < 1e-14 ? 0 : 1;
}
