my %n; while (<>) { $n{lc $1}++ while /(\w+)/g } 
my @w = sort { $n{$b} <=> $n{$a} || $a cmp $b } keys %n; print "$_ $n{$_}\n" for @w[0..9];
