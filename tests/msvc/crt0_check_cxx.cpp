// C++ dynamic initialisation and static destruction through crt0.c: a
// global object's constructor runs before main, its destructor after main
// returns (the compiler registers it with atexit).
#include <stdio.h>

struct Global {
	int value;
	Global() : value(42) {}
	~Global() { printf("destructor ran\n"); }
};
static Global global;

int main()
{
	printf("global constructed: %d\n", global.value);
	return 3;
}
